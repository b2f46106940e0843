from checkpointing import checkpoint


@checkpoint
def describe(x):
    match x:  # expect: CKP900
        case 1:
            return "one"
    return "other"
