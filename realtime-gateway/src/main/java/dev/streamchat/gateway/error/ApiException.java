package dev.streamchat.gateway.error;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A failure with a contract code. Rendered as RFC 9457 problem+json with a {@code code} member, a safe
 * {@code detail}, and {@code Retry-After} when one is given. Extra members (e.g. {@code quota}) go in
 * {@code properties}.
 */
public class ApiException extends ErrorResponseException {

    private final ErrorCode code;
    private final Duration retryAfter;

    public ApiException(ErrorCode code, String detail) {
        this(code, detail, null, Map.of());
    }

    public ApiException(ErrorCode code, String detail, Duration retryAfter, Map<String, Object> properties) {
        super(code.status(), problem(code, detail, properties), null);
        this.code = code;
        this.retryAfter = retryAfter;
        if (retryAfter != null) {
            getHeaders().set(HttpHeaders.RETRY_AFTER, Long.toString(ProblemResponses.retryAfterSeconds(retryAfter)));
        }
    }

    public ErrorCode code() {
        return code;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    private static ProblemDetail problem(ErrorCode code, String detail, Map<String, Object> properties) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(code.status(), detail);
        problem.setType(URI.create(ProblemResponses.TYPE_BASE + code.wireName()));
        problem.setTitle(code.status().getReasonPhrase());
        problem.setProperty("code", code.wireName());
        properties.forEach(problem::setProperty);
        return problem;
    }
}
