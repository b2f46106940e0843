"""Fast-path hashers for common data types; each module has ``supports(obj)`` and ``feed(hasher, obj, h)``.

They are imported lazily, only when a value of their library's type is hashed, so that
``import checkpointing`` never imports numpy or pandas.
"""
