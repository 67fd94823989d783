package dev.streamchat.gateway.quota;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** The calendar month (UTC) a free-plan count belongs to. */
record QuotaPeriod(YearMonth month) {

    static QuotaPeriod of(Instant now) {
        return new QuotaPeriod(YearMonth.from(now.atZone(ZoneOffset.UTC)));
    }

    Instant start() {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    Instant resetsAt() {
        return month.plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /** Whether a stored {@code periodStart} (a date, an ISO string, or null) lies in this month. */
    boolean contains(Object periodStart) {
        Instant at = null;
        if (periodStart instanceof java.util.Date date) {
            at = date.toInstant();
        } else if (periodStart instanceof String text) {
            try {
                at = Instant.parse(text);
            } catch (RuntimeException e) {
                return false;
            }
        } else if (periodStart instanceof Instant instant) {
            at = instant;
        }
        return at != null && !at.isBefore(start()) && at.isBefore(resetsAt());
    }

    String key() {
        return month.toString();
    }
}
