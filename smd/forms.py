from django import forms


class PlainEnglishErrorsMixin:
    """Field errors a referrer can act on, instead of Django's defaults."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = "This question needs an answer."
            if isinstance(f, forms.CharField) and f.max_length:
                f.error_messages["max_length"] = (
                    "This answer is too long: keep it to %(limit_value)s characters "
                    "(it has %(show_value)s)."
                )
