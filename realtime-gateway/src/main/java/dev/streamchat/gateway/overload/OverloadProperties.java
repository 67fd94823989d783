package dev.streamchat.gateway.overload;

import java.time.Duration;

import jakarta.validation.constraints.Positive;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Shedding at the door ({@code OVERLOAD_*}): {@code /chat/new} and {@code /retry} answer 503 {@code unavailable} with
 * {@code Retry-After} while this node is overloaded, instead of accepting a stream it would fail to finish.
 *
 * @param enabled           {@code OVERLOAD_SHEDDING}: false admits everything (the other limits still apply)
 * @param maxSchedulingLag  {@code OVERLOAD_MAX_LAG_MS}: shed while the smoothed lateness of a thread that wakes every
 *                          {@code probeInterval} is above this (CPU starvation or GC pauses)
 * @param maxStreamsPerCore {@code OVERLOAD_MAX_STREAMS_PER_CORE}: shed while this node relays at least this many
 *                          streams per available processor
 * @param maxSaveLatency    {@code OVERLOAD_MAX_SAVE_MS}: shed while the recent mean time of a finished stream's
 *                          MongoDB save is above this (a reply accepted now would risk its save)
 * @param probeInterval     {@code OVERLOAD_PROBE_INTERVAL_MS}: how often pressure is measured
 * @param retryAfter        {@code OVERLOAD_RETRY_AFTER_S}: the {@code Retry-After} of a shed request
 */
@Validated
@ConfigurationProperties("gateway.overload")
public record OverloadProperties(@DefaultValue("true") boolean enabled,
                                 @DefaultValue("250ms") Duration maxSchedulingLag,
                                 @DefaultValue("500") @Positive double maxStreamsPerCore,
                                 @DefaultValue("1000ms") Duration maxSaveLatency,
                                 @DefaultValue("50ms") Duration probeInterval,
                                 @DefaultValue("2s") Duration retryAfter) {
}
