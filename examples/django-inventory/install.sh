#!/usr/bin/env bash
# Installs what examples/django-inventory needs, from Debian's packages only (no pip), and checks
# that Debian's Python imports them. Idempotent: apt is asked only when something is missing.
#   bash examples/django-inventory/install.sh        (as root, or with sudo available)
set -euo pipefail

PACKAGES=(python3-django python3-djangorestframework python3-jwt python3-cryptography)
PYTHON=/usr/bin/python3   # Debian's interpreter: another python3 on PATH does not see dist-packages

missing=()
for package in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
  if ((EUID == 0)); then
    as_root=()
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    echo "django-inventory/install.sh: missing ${missing[*]}; run this script as root (apt-get install needs it)" >&2
    exit 1
  fi
  echo "django-inventory/install.sh: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

if [[ ! -x $PYTHON ]]; then
  echo "django-inventory/install.sh: $PYTHON not found (python3 from Debian is needed)" >&2
  exit 1
fi

# Every import the example makes, with the versions it was written for (Django 3.2+, PyJWT 2.x).
if ! report=$("$PYTHON" - <<'PY' 2>&1
import sys
problems = []
versions = {}
try:
    import django
    versions["django"] = django.get_version()
    if django.VERSION < (3, 2):
        problems.append(f"Django {django.get_version()} is too old (3.2 or later)")
except Exception as error:
    problems.append(f"import django: {error} (apt-get install python3-django)")
try:
    import rest_framework
    versions["djangorestframework"] = rest_framework.VERSION
except Exception as error:
    problems.append(f"import rest_framework: {error} (apt-get install python3-djangorestframework)")
try:
    import jwt
    from jwt import PyJWKClient
    versions["PyJWT"] = jwt.__version__
    if int(jwt.__version__.split(".")[0]) < 2:
        problems.append(f"PyJWT {jwt.__version__} is too old (2.x)")
except Exception as error:
    problems.append(f"import jwt / PyJWKClient: {error} (apt-get install python3-jwt)")
try:
    import cryptography
    from cryptography.hazmat.primitives.asymmetric import rsa  # RS256 needs it
    versions["cryptography"] = cryptography.__version__
except Exception as error:
    problems.append(f"import cryptography: {error} (apt-get install python3-cryptography)")
if problems:
    print("; ".join(problems))
    sys.exit(1)
print(", ".join(f"{name} {version}" for name, version in versions.items()))
PY
); then
  echo "django-inventory/install.sh: $PYTHON cannot use the packages: $report" >&2
  exit 1
fi
echo "django-inventory/install.sh: ok ($PYTHON $("$PYTHON" -c 'import platform; print(platform.python_version())'): $report)"
