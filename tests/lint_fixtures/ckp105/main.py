from checkpointing import checkpoint
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression


def build():
    return KMeans(n_clusters=3)  # expect: CKP105


@checkpoint
def fit(x, y, seed, options):
    forest = RandomForestClassifier(n_estimators=10)  # expect: CKP105
    seeded = RandomForestClassifier(random_state=seed)
    linear = LinearRegression()
    forwarded = RandomForestClassifier(**options)
    return forest.fit(x, y), seeded, linear, forwarded, build()  # expect: CKP001
