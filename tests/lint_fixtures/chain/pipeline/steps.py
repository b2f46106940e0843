from checkpointing import checkpoint

from .io import read_table


def load(params):
    return read_table(params["path"])


def prepare(params: dict):
    frame = load(params)
    return frame.dropna(), params.get("alpha"), params.items()


@checkpoint(deep=True, inputs=False)  # the files it reads are not recorded: they are reported
def train(params: dict, store):
    frame, alpha, _ = prepare(params)
    return frame, alpha, store.load("model")


@checkpoint(deep=True)
def evaluate(params: dict):
    return load(params).describe()
