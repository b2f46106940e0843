import pandas as pd


def read_table(path):
    return pd.read_parquet(path)  # expect: CKP104


class Registry:
    def get(self, name):
        return open(name).read()


class Store:
    def load(self, name):
        return open(name).read()  # expect: CKP104
