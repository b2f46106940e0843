import importlib

from checkpointing import checkpoint


def lookup(name):
    return globals()[name]  # expect: CKP003


def unreached(code):
    return eval(code)


@checkpoint(deep=True)
def dynamic(obj, name, code, module):
    a = getattr(obj, "run_" + name)()  # expect: CKP003
    b = eval(code)  # expect: CKP003
    exec(code)  # expect: CKP003
    c = importlib.import_module(module)  # expect: CKP003
    d = __import__(module)  # expect: CKP003
    e = importlib.import_module(f"plugins.{name}")  # a module of a known package: keyed by its files
    f = importlib.import_module("plug" + name)  # expect: CKP003
    setattr(obj, name, 1)  # writes: selects no code
    delattr(obj, "old_" + name)
    return a, b, c, d, e, f, lookup(name)


@checkpoint
def literal(obj):
    return getattr(obj, "size"), importlib.import_module("json"), vars(obj)  # expect: CKP003


class Model:
    def __init__(self, **options):
        for key, value in options.items():
            setattr(self, key, value)

    @checkpoint(deep=True)
    def describe(self, name):
        state = vars(self)  # the instance's own state, hashed with it
        scope = locals()  # the method's own variables
        listed = dir(self)  # expect: CKP003
        return state[name], scope["state"], listed, sorted(dir())
