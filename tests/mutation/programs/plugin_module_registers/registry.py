HANDLERS = {}


def register(name):
    def decorate(func):
        HANDLERS[name] = func
        return func
    return decorate
