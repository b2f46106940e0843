import sklearn
from sklearn.preprocessing import StandardScaler

from ckpt import cached

FRAMES = True


@cached
def target(rows):
    print("RUN")
    return type(StandardScaler().fit_transform(rows)).__name__


if __name__ == "__main__":
    sklearn.set_config(transform_output="pandas" if FRAMES else "default")
    print("OUT", repr(target([[1.0, 2.0], [3.0, 5.0]])))
