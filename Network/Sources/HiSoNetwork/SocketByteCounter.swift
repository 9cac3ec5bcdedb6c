import NIOCore
import Synchronization

/// Counts the bytes that cross the sockets of the connections it is installed on, both ways:
/// TLS records, HTTP/2 frames, gRPC framing and protobuf payload together.
///
/// Install it from ``ClientSettings/onConnection``; it sits first in the channel pipeline
/// (next to the socket). Memory and time: two atomic counters, O(1) per read or write.
public final class SocketByteCounter: Sendable {
    private let receivedBytes = Atomic<UInt64>(0)
    private let sentBytes = Atomic<UInt64>(0)

    /// A counter at zero.
    public init() {}

    /// Bytes read from the sockets so far.
    public var received: UInt64 { receivedBytes.load(ordering: .relaxed) }
    /// Bytes written to the sockets so far.
    public var sent: UInt64 { sentBytes.load(ordering: .relaxed) }

    /// Adds the counting handler at the socket end of `channel`'s pipeline.
    public func install(on channel: any Channel) -> EventLoopFuture<Void> {
        channel.pipeline.addHandler(Handler(counter: self), position: .first)
    }

    private final class Handler: ChannelDuplexHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let counter: SocketByteCounter

        init(counter: SocketByteCounter) { self.counter = counter }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            counter.receivedBytes.add(UInt64(unwrapInboundIn(data).readableBytes), ordering: .relaxed)
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            counter.sentBytes.add(UInt64(unwrapOutboundIn(data).readableBytes), ordering: .relaxed)
            context.write(data, promise: promise)
        }
    }
}
