import re

from django.core.exceptions import ValidationError


def normalise_nhs_number(value):
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value):
    """Modulus 11 check on a 10-digit NHS number (NHS Data Dictionary)."""
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value):
    if not nhs_number_is_valid(value):
        raise ValidationError(
            "Enter a valid 10-digit NHS number (for example 943 476 5919), or leave it blank.",
            code="invalid_nhs_number",
        )
