from checkpointing import defaults

defaults["checkpoint.deep"] = True
