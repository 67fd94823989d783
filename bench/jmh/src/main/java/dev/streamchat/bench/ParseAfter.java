package dev.streamchat.bench;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import dev.streamchat.gateway.stream.AiStreamEventDecoder;
import dev.streamchat.gateway.stream.SseEventParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import tools.jackson.databind.json.JsonMapper;

/** After: the same chunk scanned in place, only the data copied, decoded with Jackson's streaming parser. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParseAfter {

    @Param({"ascii", "utf8"})
    public String text;

    private ByteBuf chunk;
    private SseEventParser parser;
    private AiStreamEventDecoder decoder;
    private Blackhole blackhole;
    private SseEventParser.DataListener listener;

    @Setup
    public void setUp(Blackhole bh) {
        chunk = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        chunk.writeBytes(Samples.tokenEvent(text).getBytes(StandardCharsets.UTF_8));
        parser = new SseEventParser();
        decoder = new AiStreamEventDecoder(JsonMapper.builder().build());
        blackhole = bh;
        listener = (data, length) -> blackhole.consume(decoder.decode(data, 0, length));
    }

    @Benchmark
    public void parseAndDecodeOneTokenEvent() {
        parser.feed(chunk.duplicate(), listener);
    }
}
