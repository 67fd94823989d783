package dev.streamchat.ai.rag;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

import dev.streamchat.ai.error.ErrorCode;

/** 403 {@code forbidden}: the document exists and the caller may read it, but not change it (a shared sample). */
class DocumentForbiddenException extends ErrorResponseException {

    static final String CODE = "forbidden";

    DocumentForbiddenException(String detail) {
        super(HttpStatus.FORBIDDEN, problem(detail), null);
    }

    private static ProblemDetail problem(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, detail);
        problem.setType(URI.create(ErrorCode.TYPE_BASE + CODE));
        problem.setProperty("code", CODE);
        return problem;
    }
}
