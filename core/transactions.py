"""One transaction per service call, without nested savepoints on the hot path.

`service_atomic` is `transaction.atomic` for a service function. The outermost service call opens the transaction
(or, inside someone else's atomic block, a savepoint, as `atomic` does). A service called by another service runs
in its caller's block with `savepoint=False`: its exception goes up through the caller, whose own block rolls it
all back, so a savepoint of its own (two more round trips, SAVEPOINT and RELEASE) would buy nothing. Explicit
`with transaction.atomic():` blocks (a race caught as IntegrityError, a result rolled back on purpose) keep theirs.
"""
import functools

from django.db import transaction


def service_atomic(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        connection = transaction.get_connection()
        depth = getattr(connection, "_service_depth", 0)
        nested = depth > 0 and connection.in_atomic_block
        with transaction.atomic(savepoint=not nested):
            connection._service_depth = depth + 1
            try:
                return func(*args, **kwargs)
            finally:
                connection._service_depth = depth
    return wrapper
