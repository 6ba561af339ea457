"""Optional integrations with other libraries, each behind its extra: ``entityres[pandas]``,
``entityres[spacy]``. Importing one without its library installed raises ``ImportError`` naming
the extra to install."""
