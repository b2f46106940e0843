import json

import matplotlib.pyplot as plt
from checkpointing import checkpoint


@checkpoint
def plot(frame):  # expect: CKP107
    frame.plot()
    plt.savefig("figure.png")


@checkpoint
def dump(data, path):  # expect: CKP107
    with open(path, "w") as f:
        json.dump(data, f)
    return None


@checkpoint
def nothing_but_a_bare_return(x):  # expect: CKP107
    if x:
        return
    print(x)


@checkpoint
def writes_and_returns(data, path):
    with open(path, "w") as f:
        json.dump(data, f)
    return len(data)


@checkpoint
def nested_return_does_not_count_for_the_outer(x):
    def inner():
        return x
    return inner()


@checkpoint
def not_implemented(x):
    raise NotImplementedError


@checkpoint
def lazily(frame):
    for row in frame.itertuples():
        yield row
