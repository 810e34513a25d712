"""The exports' writes: requesting an export, building it in the worker, downloads, expiry."""
