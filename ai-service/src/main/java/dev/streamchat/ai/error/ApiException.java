package dev.streamchat.ai.error;

import java.net.URI;

import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request the ai-service refuses, answered as problem+json with {@code code} = {@link ErrorCode#wireName()}.
 * {@code detail} is shown to clients: keep it free of exception messages, prompts and secrets.
 */
public class ApiException extends ErrorResponseException {

    private final ErrorCode code;

    public ApiException(ErrorCode code, String detail) {
        super(code.status(), problem(code, detail), null);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    static ProblemDetail problem(ErrorCode code, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(code.status(), detail);
        problem.setType(URI.create(ErrorCode.TYPE_BASE + code.wireName()));
        problem.setProperty("code", code.wireName());
        return problem;
    }
}
