def square(v):
    return v * v + 0
