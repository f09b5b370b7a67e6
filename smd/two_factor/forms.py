from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from smd import reauth
from smd.forms import PlainEnglishMixin
from smd.reauth import WRONG_PASSWORD


class CodeForm(PlainEnglishMixin, forms.Form):
    """One code: from the authenticator app, or (when signing in) a backup code."""

    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, numeric=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["required"] = "Enter a code."
        if numeric:
            # A phone shows its number pad; backup codes have letters, so only when setting up.
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
            self.fields["code"].help_text = "The 6-digit code your app shows now."


class SignInForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked before it signs anyone in:
    the stock form only sets it on the input, so an over-long username went on to django-axes,
    whose record of the failure (255 characters) then failed to save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form for changing one's own password, in plain words; the current password is
    checked through the sign-in backends, so guesses count towards the cool-off."""

    def __init__(self, user, *args, request, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = "Your current password"
        self.fields["new_password1"].label = "New password"
        self.fields["new_password2"].label = "New password again"
        self.fields["old_password"].widget.attrs.pop("autofocus", None)
        for field in self.fields.values():
            field.error_messages["required"] = "This question needs an answer."

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        if not reauth.password_is_right(self.request, password):
            raise forms.ValidationError(WRONG_PASSWORD, code="password_incorrect")
        return password
