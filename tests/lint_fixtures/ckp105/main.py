from checkpointing import checkpoint
from sklearn.cluster import KMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold, train_test_split
from sklearn.utils import resample, shuffle


def build():
    return KMeans(n_clusters=3)  # expect: CKP105


@checkpoint
def fit(x, y, seed, options):
    forest = RandomForestClassifier(n_estimators=10)  # expect: CKP105
    seeded = RandomForestClassifier(random_state=seed)
    linear = LinearRegression()
    forwarded = RandomForestClassifier(**options)
    return forest.fit(x, y), seeded, linear, forwarded, build()  # expect: CKP001


@checkpoint(deep=True)
def split(x, y, seed):
    a, b = shuffle(x, y)  # expect: CKP105
    c = train_test_split(x, y, test_size=0.2)  # expect: CKP105
    d = train_test_split(x, y, random_state=seed)
    e = shuffle(x, random_state=0)
    f = KFold(5, shuffle=True)  # expect: CKP105
    g = KFold(5, shuffle=True, random_state=seed)
    h = resample(x, n_samples=3, random_state=seed)
    return a, b, c, d, e, f, g, h
