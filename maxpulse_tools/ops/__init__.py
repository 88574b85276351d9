"""Operations: health checks and the status page, feature flags, the kill switch."""
