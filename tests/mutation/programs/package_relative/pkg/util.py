def twice(v):
    return v * 2
