import time


def read(path):
    return open(path).read()  # expect: CKP104


def stamp(x):
    return x, time.time()
