"""Who may do what on a brand, by the role of their grant: the one table that the brand admin (every
ModelAdmin, action and custom page), the API base view and the report pages read. What a person may
do on one incident is refined by incidents/permissions.py, which the services check for every caller.

`integration` is the brand's own API key: it appears only where the API lets integrations in.
"""

from tenants.models import BrandGrant

Role = BrandGrant.Role
INTEGRATION = "integration"

OWNERS = frozenset({Role.AGENCY_OWNER, Role.AGENCY_ADMIN})
STAFF = frozenset(BrandGrant.STAFF_ROLES)
CLIENTS = frozenset(BrandGrant.CLIENT_ROLES)
EVERY_ROLE = STAFF | CLIENTS

# Permission → roles that hold it. A role missing from a row is refused (403) in the admin, the API
# and the report pages alike; docs/roles.md prints this table for people.
PERMISSIONS: dict[str, frozenset[str]] = {
    # Reading what every person on the brand may read: alerts, mentions, the moderation log and
    # guidelines, survey results, the report pages, their own notifications.
    "brand.read": EVERY_ROLE | {INTEGRATION},
    # The agency's workspace: incidents and the war room, roster, response library, crisis plan and
    # settings, drills, detector settings, webhooks.
    "workspace.read": STAFF | {INTEGRATION},
    # Staff work in the workspace; the services then check the incident's matrix for the person.
    "workspace.write": STAFF | {INTEGRATION},
    # People's crisis work through the API (integrations only confirm, below).
    "crisis.write": STAFF,
    # Brand configuration that integrations may read but not change (detector thresholds).
    "workspace.configure": STAFF,
    # Deleting a row in the admin, where a model allows it at all.
    "workspace.delete": OWNERS,
    # Responses: staff draft and approve; a client approver reads what is sent to them.
    "responses.read": STAFF | {Role.CLIENT_APPROVER, INTEGRATION},
    # Approving or sending back what waits for approval (responses, client status updates); the
    # incident matrix then says whose approval each one waits for.
    "approvals.decide": STAFF | {Role.CLIENT_APPROVER},
    # Deciding on the report pages what waits for the client (the incident matrix then requires an
    # assignment as client approver on that incident).
    "reports.decide": frozenset({Role.CLIENT_APPROVER}),
    # Only the integration confirms what it posted or carried out.
    "integration.confirm": STAFF | {INTEGRATION},
    "integration.only": frozenset({INTEGRATION}),
    # Surveys: build, open, close, duplicate; invite customers and email them; review testimonials.
    "surveys.write": STAFF | {INTEGRATION},
    "surveys.invite": STAFF | {INTEGRATION},
    "testimonials.review": STAFF | {INTEGRATION},
    # The brand's messaging channel (its WhatsApp/SMS provider's webhook and signing secret), which
    # reaches customers who gave only a phone: the roles that answer for the brand's setup.
    "surveys.messaging": OWNERS | {Role.CRISIS_MANAGER},
    # A person's own notifications (marking them read).
    "notifications.own": EVERY_ROLE,
    # Positive content (the content app's services check these for every person; an integration
    # reaches them through the API only). Drafting covers items, media, variants and testimonial
    # drafts; approving is a person's decision, never an API key's.
    "content.draft": OWNERS
    | {Role.CRISIS_MANAGER, Role.SOCIAL_MEDIA_SPECIALIST, Role.SPOKESPERSON, Role.CUSTOMER_CARE, INTEGRATION},
    "content.submit": OWNERS
    | {Role.CRISIS_MANAGER, Role.SOCIAL_MEDIA_SPECIALIST, Role.SPOKESPERSON, Role.CUSTOMER_CARE, INTEGRATION},
    "content.approve": OWNERS | {Role.CRISIS_MANAGER, Role.SPOKESPERSON, Role.LEGAL, Role.CLIENT_APPROVER},
    # Scheduling covers unscheduling, retrying, evergreen repeats and releasing from a crisis hold.
    "content.schedule": OWNERS | {Role.CRISIS_MANAGER, Role.SOCIAL_MEDIA_SPECIALIST, INTEGRATION},
    # Recording that a manual channel's post is live.
    "content.confirm": OWNERS | {Role.CRISIS_MANAGER, Role.SOCIAL_MEDIA_SPECIALIST, INTEGRATION},
    # Publishing channels, the crisis hold settings and the calendar feed link.
    "content.manage_channels": OWNERS | {Role.CRISIS_MANAGER, INTEGRATION},
    # Scheduled report emails: who gets the brand's report PDF, weekly or monthly, and the
    # delivery log's retry (every staff role reads both).
    "reports.schedule": OWNERS | {Role.CRISIS_MANAGER},
    # The brand's audit trail (read-only, exportable as CSV): the roles that answer for security.
    "audit.read": OWNERS | {Role.CRISIS_MANAGER, Role.LEGAL},
    # Customers' personal data outside the care pages: a brand export with contact details, DM
    # texts and free-text answers, and the care-case CSV's contact columns. The same roles as the
    # care matrix's `care_contact_details` (incidents/permissions.py; a test keeps them equal).
    "personal_data.read": OWNERS | {Role.CRISIS_MANAGER, Role.CUSTOMER_CARE},
}


def roles_with(permission: str) -> frozenset[str]:
    """The roles that hold `permission`. An unknown name is a programming error, not a refusal."""
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise ValueError(f"Unknown brand permission {permission!r}; add it to tenants/roles.py") from None


def role_can(role: str | None, permission: str) -> bool:
    """Whether a grant with `role` (None: no grant) holds `permission` on the brand."""
    allowed = roles_with(permission)
    return role is not None and role in allowed


def request_role(request) -> str | None:
    """The role of request.user on request.tenant, looked up once per request by the brand access
    middleware (tenants.selectors.brand_role_get)."""
    return getattr(request, "brand_role", None)


def request_can(request, permission: str) -> bool:
    return role_can(request_role(request), permission)
