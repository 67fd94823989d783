package dev.streamchat.bench;

import java.nio.charset.StandardCharsets;
import java.util.List;
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

import dev.streamchat.bench.before.AiStreamEvent;
import dev.streamchat.bench.before.AiStreamEventDecoder;
import dev.streamchat.bench.before.SseEvent;
import dev.streamchat.bench.before.SseEventParser;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import tools.jackson.databind.json.JsonMapper;

/** Before: one SSE chunk holding one token event, copied to byte[], parsed per byte, decoded with readTree. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ParseBefore {

    @Param({"ascii", "utf8"})
    public String text;

    private ByteBuf chunk;
    private SseEventParser parser;
    private AiStreamEventDecoder decoder;

    @Setup
    public void setUp() {
        chunk = PooledByteBufAllocator.DEFAULT.directBuffer(256);
        chunk.writeBytes(Samples.tokenEvent(text).getBytes(StandardCharsets.UTF_8));
        parser = new SseEventParser();
        decoder = new AiStreamEventDecoder(JsonMapper.builder().build());
    }

    @Benchmark
    public void parseAndDecodeOneTokenEvent(Blackhole bh) {
        ByteBuf buffer = chunk.duplicate(); // what the relay got from the network
        byte[] bytes = new byte[buffer.readableBytes()];
        buffer.readBytes(bytes);
        List<SseEvent> events = parser.feed(bytes);
        for (SseEvent event : events) {
            AiStreamEvent decoded = decoder.decode(event.data());
            bh.consume(decoded);
        }
    }
}
