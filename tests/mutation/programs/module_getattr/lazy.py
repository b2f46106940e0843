_VALUES = {"factor": 4}


def __getattr__(name):
    if name == "name":
        return "lazy-" + str(_VALUES["factor"])
    if name in _VALUES:
        return _VALUES[name]
    raise AttributeError(name)
