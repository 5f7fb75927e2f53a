"""The site's views, one module per page family; :mod:`workplan.web.routes` maps URLs to them."""
