def clean(xs):
    return xs
