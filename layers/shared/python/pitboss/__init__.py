"""Pitboss shared layer: domain models, validation, ledger, store, errors and auth for every function."""

import gc

# A function's heap is mostly what its imports build and keep for the container's life (boto3's service
# model, pydantic schemas, routes). With the default young-generation threshold (700) a cold start ran
# ~120 collections that freed next to nothing: about a tenth of the authorizer's init and a fifth of the
# wallet's (`make coldstart`, gc disabled vs default). Objects that die by reference counting never count.
gc.set_threshold(10_000, 20, 20)
