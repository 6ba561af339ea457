"""From text to a result: candidate mentions, links to the gazetteer, clusters and canonical IDs.

``entityres.resolve`` at the top of the package is the function :func:`resolver.resolve`; this
subpackage is reached by its modules (``from entityres.resolve.resolver import Resolver``).
"""
