def f(x:  # expect: CKP900
    return x
