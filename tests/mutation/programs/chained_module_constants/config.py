import types

settings = {"scale": 3}
limits = types.SimpleNamespace(low=0, high=9)
