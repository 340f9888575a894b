"""Admin registrations (replaced by the support-staff admin)."""
