package dev.streamchat.ai.rag;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.pdfbox.cos.COSArray;
import org.apache.pdfbox.cos.COSBase;
import org.apache.pdfbox.cos.COSDocument;
import org.apache.pdfbox.cos.COSName;
import org.apache.pdfbox.cos.COSObject;
import org.apache.pdfbox.cos.COSObjectKey;
import org.apache.pdfbox.cos.COSStream;
import org.apache.pdfbox.filter.Filter;
import org.apache.pdfbox.filter.FilterFactory;

/**
 * Refuses a PDF any of whose streams decodes to more than a budget, before PDFBox decodes it: PDFBox 3 inflates a
 * stream wholly into a heap buffer ({@code MemoryUsageSetting} does not cover decoding), so a 20 KB file of
 * deflated zeros could otherwise take gigabytes. Each stream is decoded once here into a counter that stops at the
 * budget. Images are skipped: text extraction never decodes them. A stream that cannot be decoded is left to PDFBox,
 * which is lenient about broken files.
 */
final class PdfStreamBudget {

    private static final COSName SUBTYPE = COSName.SUBTYPE;
    private static final COSName IMAGE = COSName.IMAGE;

    /** Thrown out of the filters, which may catch {@link IOException}s, when the budget is exceeded. */
    private static final class OverBudget extends RuntimeException {
        OverBudget() {
            super(null, null, false, false);
        }
    }

    private PdfStreamBudget() {
    }

    static void check(COSDocument document, long maxBytes, Runnable checkpoint) {
        for (Map.Entry<COSObjectKey, Long> entry : new ArrayList<>(document.getXrefTable().entrySet())) {
            checkpoint.run();
            COSObject object = document.getObjectFromPool(entry.getKey());
            COSBase base = object == null ? null : object.getObject();
            if (base instanceof COSStream stream && !IMAGE.equals(stream.getCOSName(SUBTYPE))) {
                try {
                    decodedLength(stream, maxBytes);
                } catch (IOException | RuntimeException e) {
                    if (isOverBudget(e)) {
                        throw new DocumentIndexer.IndexingException("a part of the PDF decodes to more than "
                                + maxBytes / (1024 * 1024) + " MB; it cannot be read within the memory budget");
                    }
                    // Otherwise unreadable: PDFBox decides what to do with a stream it cannot decode either.
                }
            }
        }
    }

    /** A filter may wrap what its output stream throws. */
    private static boolean isOverBudget(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof OverBudget) {
                return true;
            }
        }
        return false;
    }

    private static long decodedLength(COSStream stream, long maxBytes) throws IOException {
        List<COSName> filters = filters(stream.getFilters());
        byte[] data;
        try (InputStream raw = stream.createRawInputStream()) {
            data = raw.readAllBytes(); // at most the upload's own size
        }
        for (int i = 0; i < filters.size(); i++) {
            Filter filter = FilterFactory.INSTANCE.getFilter(filters.get(i));
            boolean last = i == filters.size() - 1;
            BudgetStream out = new BudgetStream(maxBytes, !last);
            filter.decode(new ByteArrayInputStream(data), out, stream, i);
            if (last) {
                return out.count;
            }
            data = out.bytes.toByteArray();
        }
        return data.length;
    }

    private static List<COSName> filters(COSBase filters) {
        List<COSName> names = new ArrayList<>();
        if (filters instanceof COSName name) {
            names.add(name);
        } else if (filters instanceof COSArray array) {
            for (COSBase item : array) {
                if (item instanceof COSName name) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    /** Counts what a filter writes, keeping it only when another filter must read it, and stops at the budget. */
    private static final class BudgetStream extends OutputStream {
        private final long maxBytes;
        private final ByteArrayOutputStream bytes;
        private long count;

        BudgetStream(long maxBytes, boolean keep) {
            this.maxBytes = maxBytes;
            this.bytes = keep ? new ByteArrayOutputStream() : null;
        }

        @Override
        public void write(int b) {
            add(1);
            if (bytes != null) {
                bytes.write(b);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            add(len);
            if (bytes != null) {
                bytes.write(b, off, len);
            }
        }

        private void add(int n) {
            count += n;
            if (count > maxBytes) {
                throw new OverBudget();
            }
        }
    }
}
