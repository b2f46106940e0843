from checkpointing import checkpoint

# a project-wide decorator, defined once and imported by the scripts
cached = checkpoint(deep=False)
