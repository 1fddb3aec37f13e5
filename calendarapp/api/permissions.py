"""Who may use the API (design notes, "Access rules").

Anonymous callers may list public events only. Everything else needs a staff account:
a service account with a DRF token (`Authorization: Token <key>`) or an admin's session.
"""

from rest_framework.permissions import AllowAny, IsAdminUser

IsStaff = IsAdminUser
Anyone = AllowAny
