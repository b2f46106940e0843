from registry import register

BIAS = 1


@register("square")
def square(v):
    return v * v + BIAS


@register("half")
def half(v):
    return v / 2
