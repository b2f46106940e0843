THRESHOLD = 0.5
NAMES = ['n', 'm']
