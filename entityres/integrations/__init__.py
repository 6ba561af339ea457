"""Optional integrations with other libraries, each behind its extra: ``entityres[pandas]``,
``entityres[spacy]``, ``entityres[spark]``, ``entityres[server]``. Importing one without its library installed raises ``ImportError`` naming
the extra to install."""
