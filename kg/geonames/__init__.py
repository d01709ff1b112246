"""Places from GeoNames: the index built from the installed data, and lookups in it."""
