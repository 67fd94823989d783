package dev.streamchat.gateway.http;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Bytes a request body may carry, counted as they are read (a {@code Content-Length} is not trusted, a chunked
 * body is counted the same way): {@code REQUEST_MAX_BODY_BYTES} for every request but an upload, and
 * {@code UPLOAD_MAX_BYTES} plus {@link #MULTIPART_OVERHEAD} for {@code POST /api/v1/documents}.
 */
@Validated
@ConfigurationProperties("gateway.http")
public record HttpLimitsProperties(@DefaultValue("64KB") DataSize maxBodyBytes,
                                   @DefaultValue("10MB") DataSize uploadMaxBytes) {

    /** Room for the multipart boundaries, part headers and the small form fields around the file. */
    public static final DataSize MULTIPART_OVERHEAD = DataSize.ofKilobytes(64);

    long uploadBodyLimit() {
        return uploadMaxBytes.toBytes() + MULTIPART_OVERHEAD.toBytes();
    }
}
