FACTOR = 4
NAMES = ('even', 'odd')
