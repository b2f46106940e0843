def f(x):
    return x)  # expect: CKP900
