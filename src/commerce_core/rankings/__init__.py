"""Rankings: trending products and top sellers, from views and confirmed orders."""
