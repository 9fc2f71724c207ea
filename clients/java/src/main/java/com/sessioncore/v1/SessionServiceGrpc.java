package com.sessioncore.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * SessionService manages sessions. Every RPC requires the `x-api-key` metadata.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: sessioncore/v1/session_service.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class SessionServiceGrpc {

  private SessionServiceGrpc() {}

  public static final String SERVICE_NAME = "sessioncore.v1.SessionService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.CreateSessionRequest,
      com.sessioncore.v1.CreateSessionResponse> getCreateSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateSession",
      requestType = com.sessioncore.v1.CreateSessionRequest.class,
      responseType = com.sessioncore.v1.CreateSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.CreateSessionRequest,
      com.sessioncore.v1.CreateSessionResponse> getCreateSessionMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.CreateSessionRequest, com.sessioncore.v1.CreateSessionResponse> getCreateSessionMethod;
    if ((getCreateSessionMethod = SessionServiceGrpc.getCreateSessionMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getCreateSessionMethod = SessionServiceGrpc.getCreateSessionMethod) == null) {
          SessionServiceGrpc.getCreateSessionMethod = getCreateSessionMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.CreateSessionRequest, com.sessioncore.v1.CreateSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.CreateSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.CreateSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("CreateSession"))
              .build();
        }
      }
    }
    return getCreateSessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.VerifySessionRequest,
      com.sessioncore.v1.VerifySessionResponse> getVerifySessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "VerifySession",
      requestType = com.sessioncore.v1.VerifySessionRequest.class,
      responseType = com.sessioncore.v1.VerifySessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.VerifySessionRequest,
      com.sessioncore.v1.VerifySessionResponse> getVerifySessionMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.VerifySessionRequest, com.sessioncore.v1.VerifySessionResponse> getVerifySessionMethod;
    if ((getVerifySessionMethod = SessionServiceGrpc.getVerifySessionMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getVerifySessionMethod = SessionServiceGrpc.getVerifySessionMethod) == null) {
          SessionServiceGrpc.getVerifySessionMethod = getVerifySessionMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.VerifySessionRequest, com.sessioncore.v1.VerifySessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "VerifySession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.VerifySessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.VerifySessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("VerifySession"))
              .build();
        }
      }
    }
    return getVerifySessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.RefreshSessionRequest,
      com.sessioncore.v1.RefreshSessionResponse> getRefreshSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RefreshSession",
      requestType = com.sessioncore.v1.RefreshSessionRequest.class,
      responseType = com.sessioncore.v1.RefreshSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.RefreshSessionRequest,
      com.sessioncore.v1.RefreshSessionResponse> getRefreshSessionMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.RefreshSessionRequest, com.sessioncore.v1.RefreshSessionResponse> getRefreshSessionMethod;
    if ((getRefreshSessionMethod = SessionServiceGrpc.getRefreshSessionMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getRefreshSessionMethod = SessionServiceGrpc.getRefreshSessionMethod) == null) {
          SessionServiceGrpc.getRefreshSessionMethod = getRefreshSessionMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.RefreshSessionRequest, com.sessioncore.v1.RefreshSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RefreshSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RefreshSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RefreshSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("RefreshSession"))
              .build();
        }
      }
    }
    return getRefreshSessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.RevokeSessionsRequest,
      com.sessioncore.v1.RevokeSessionsResponse> getRevokeSessionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeSessions",
      requestType = com.sessioncore.v1.RevokeSessionsRequest.class,
      responseType = com.sessioncore.v1.RevokeSessionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.RevokeSessionsRequest,
      com.sessioncore.v1.RevokeSessionsResponse> getRevokeSessionsMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.RevokeSessionsRequest, com.sessioncore.v1.RevokeSessionsResponse> getRevokeSessionsMethod;
    if ((getRevokeSessionsMethod = SessionServiceGrpc.getRevokeSessionsMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getRevokeSessionsMethod = SessionServiceGrpc.getRevokeSessionsMethod) == null) {
          SessionServiceGrpc.getRevokeSessionsMethod = getRevokeSessionsMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.RevokeSessionsRequest, com.sessioncore.v1.RevokeSessionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeSessions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RevokeSessionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RevokeSessionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("RevokeSessions"))
              .build();
        }
      }
    }
    return getRevokeSessionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.RevokeUserSessionsRequest,
      com.sessioncore.v1.RevokeUserSessionsResponse> getRevokeUserSessionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeUserSessions",
      requestType = com.sessioncore.v1.RevokeUserSessionsRequest.class,
      responseType = com.sessioncore.v1.RevokeUserSessionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.RevokeUserSessionsRequest,
      com.sessioncore.v1.RevokeUserSessionsResponse> getRevokeUserSessionsMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.RevokeUserSessionsRequest, com.sessioncore.v1.RevokeUserSessionsResponse> getRevokeUserSessionsMethod;
    if ((getRevokeUserSessionsMethod = SessionServiceGrpc.getRevokeUserSessionsMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getRevokeUserSessionsMethod = SessionServiceGrpc.getRevokeUserSessionsMethod) == null) {
          SessionServiceGrpc.getRevokeUserSessionsMethod = getRevokeUserSessionsMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.RevokeUserSessionsRequest, com.sessioncore.v1.RevokeUserSessionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeUserSessions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RevokeUserSessionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RevokeUserSessionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("RevokeUserSessions"))
              .build();
        }
      }
    }
    return getRevokeUserSessionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.ListUserSessionsRequest,
      com.sessioncore.v1.ListUserSessionsResponse> getListUserSessionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListUserSessions",
      requestType = com.sessioncore.v1.ListUserSessionsRequest.class,
      responseType = com.sessioncore.v1.ListUserSessionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.ListUserSessionsRequest,
      com.sessioncore.v1.ListUserSessionsResponse> getListUserSessionsMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.ListUserSessionsRequest, com.sessioncore.v1.ListUserSessionsResponse> getListUserSessionsMethod;
    if ((getListUserSessionsMethod = SessionServiceGrpc.getListUserSessionsMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getListUserSessionsMethod = SessionServiceGrpc.getListUserSessionsMethod) == null) {
          SessionServiceGrpc.getListUserSessionsMethod = getListUserSessionsMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.ListUserSessionsRequest, com.sessioncore.v1.ListUserSessionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListUserSessions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.ListUserSessionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.ListUserSessionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("ListUserSessions"))
              .build();
        }
      }
    }
    return getListUserSessionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.GetSessionRequest,
      com.sessioncore.v1.GetSessionResponse> getGetSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetSession",
      requestType = com.sessioncore.v1.GetSessionRequest.class,
      responseType = com.sessioncore.v1.GetSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.GetSessionRequest,
      com.sessioncore.v1.GetSessionResponse> getGetSessionMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.GetSessionRequest, com.sessioncore.v1.GetSessionResponse> getGetSessionMethod;
    if ((getGetSessionMethod = SessionServiceGrpc.getGetSessionMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getGetSessionMethod = SessionServiceGrpc.getGetSessionMethod) == null) {
          SessionServiceGrpc.getGetSessionMethod = getGetSessionMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.GetSessionRequest, com.sessioncore.v1.GetSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.GetSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.GetSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("GetSession"))
              .build();
        }
      }
    }
    return getGetSessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.UpdateSessionDataRequest,
      com.sessioncore.v1.UpdateSessionDataResponse> getUpdateSessionDataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateSessionData",
      requestType = com.sessioncore.v1.UpdateSessionDataRequest.class,
      responseType = com.sessioncore.v1.UpdateSessionDataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.UpdateSessionDataRequest,
      com.sessioncore.v1.UpdateSessionDataResponse> getUpdateSessionDataMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.UpdateSessionDataRequest, com.sessioncore.v1.UpdateSessionDataResponse> getUpdateSessionDataMethod;
    if ((getUpdateSessionDataMethod = SessionServiceGrpc.getUpdateSessionDataMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getUpdateSessionDataMethod = SessionServiceGrpc.getUpdateSessionDataMethod) == null) {
          SessionServiceGrpc.getUpdateSessionDataMethod = getUpdateSessionDataMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.UpdateSessionDataRequest, com.sessioncore.v1.UpdateSessionDataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateSessionData"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.UpdateSessionDataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.UpdateSessionDataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("UpdateSessionData"))
              .build();
        }
      }
    }
    return getUpdateSessionDataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.UpdateAccessTokenClaimsRequest,
      com.sessioncore.v1.UpdateAccessTokenClaimsResponse> getUpdateAccessTokenClaimsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateAccessTokenClaims",
      requestType = com.sessioncore.v1.UpdateAccessTokenClaimsRequest.class,
      responseType = com.sessioncore.v1.UpdateAccessTokenClaimsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.UpdateAccessTokenClaimsRequest,
      com.sessioncore.v1.UpdateAccessTokenClaimsResponse> getUpdateAccessTokenClaimsMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.UpdateAccessTokenClaimsRequest, com.sessioncore.v1.UpdateAccessTokenClaimsResponse> getUpdateAccessTokenClaimsMethod;
    if ((getUpdateAccessTokenClaimsMethod = SessionServiceGrpc.getUpdateAccessTokenClaimsMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getUpdateAccessTokenClaimsMethod = SessionServiceGrpc.getUpdateAccessTokenClaimsMethod) == null) {
          SessionServiceGrpc.getUpdateAccessTokenClaimsMethod = getUpdateAccessTokenClaimsMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.UpdateAccessTokenClaimsRequest, com.sessioncore.v1.UpdateAccessTokenClaimsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateAccessTokenClaims"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.UpdateAccessTokenClaimsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.UpdateAccessTokenClaimsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("UpdateAccessTokenClaims"))
              .build();
        }
      }
    }
    return getUpdateAccessTokenClaimsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.RegenerateAccessTokenRequest,
      com.sessioncore.v1.RegenerateAccessTokenResponse> getRegenerateAccessTokenMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegenerateAccessToken",
      requestType = com.sessioncore.v1.RegenerateAccessTokenRequest.class,
      responseType = com.sessioncore.v1.RegenerateAccessTokenResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.RegenerateAccessTokenRequest,
      com.sessioncore.v1.RegenerateAccessTokenResponse> getRegenerateAccessTokenMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.RegenerateAccessTokenRequest, com.sessioncore.v1.RegenerateAccessTokenResponse> getRegenerateAccessTokenMethod;
    if ((getRegenerateAccessTokenMethod = SessionServiceGrpc.getRegenerateAccessTokenMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getRegenerateAccessTokenMethod = SessionServiceGrpc.getRegenerateAccessTokenMethod) == null) {
          SessionServiceGrpc.getRegenerateAccessTokenMethod = getRegenerateAccessTokenMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.RegenerateAccessTokenRequest, com.sessioncore.v1.RegenerateAccessTokenResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegenerateAccessToken"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RegenerateAccessTokenRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.RegenerateAccessTokenResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("RegenerateAccessToken"))
              .build();
        }
      }
    }
    return getRegenerateAccessTokenMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.GetJwksRequest,
      com.sessioncore.v1.GetJwksResponse> getGetJwksMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetJwks",
      requestType = com.sessioncore.v1.GetJwksRequest.class,
      responseType = com.sessioncore.v1.GetJwksResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.GetJwksRequest,
      com.sessioncore.v1.GetJwksResponse> getGetJwksMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.GetJwksRequest, com.sessioncore.v1.GetJwksResponse> getGetJwksMethod;
    if ((getGetJwksMethod = SessionServiceGrpc.getGetJwksMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getGetJwksMethod = SessionServiceGrpc.getGetJwksMethod) == null) {
          SessionServiceGrpc.getGetJwksMethod = getGetJwksMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.GetJwksRequest, com.sessioncore.v1.GetJwksResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetJwks"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.GetJwksRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.GetJwksResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("GetJwks"))
              .build();
        }
      }
    }
    return getGetJwksMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.sessioncore.v1.ListRevocationsRequest,
      com.sessioncore.v1.ListRevocationsResponse> getListRevocationsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListRevocations",
      requestType = com.sessioncore.v1.ListRevocationsRequest.class,
      responseType = com.sessioncore.v1.ListRevocationsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.sessioncore.v1.ListRevocationsRequest,
      com.sessioncore.v1.ListRevocationsResponse> getListRevocationsMethod() {
    io.grpc.MethodDescriptor<com.sessioncore.v1.ListRevocationsRequest, com.sessioncore.v1.ListRevocationsResponse> getListRevocationsMethod;
    if ((getListRevocationsMethod = SessionServiceGrpc.getListRevocationsMethod) == null) {
      synchronized (SessionServiceGrpc.class) {
        if ((getListRevocationsMethod = SessionServiceGrpc.getListRevocationsMethod) == null) {
          SessionServiceGrpc.getListRevocationsMethod = getListRevocationsMethod =
              io.grpc.MethodDescriptor.<com.sessioncore.v1.ListRevocationsRequest, com.sessioncore.v1.ListRevocationsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListRevocations"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.ListRevocationsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.sessioncore.v1.ListRevocationsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new SessionServiceMethodDescriptorSupplier("ListRevocations"))
              .build();
        }
      }
    }
    return getListRevocationsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static SessionServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SessionServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SessionServiceStub>() {
        @java.lang.Override
        public SessionServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SessionServiceStub(channel, callOptions);
        }
      };
    return SessionServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static SessionServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SessionServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SessionServiceBlockingStub>() {
        @java.lang.Override
        public SessionServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SessionServiceBlockingStub(channel, callOptions);
        }
      };
    return SessionServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static SessionServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<SessionServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<SessionServiceFutureStub>() {
        @java.lang.Override
        public SessionServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new SessionServiceFutureStub(channel, callOptions);
        }
      };
    return SessionServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * SessionService manages sessions. Every RPC requires the `x-api-key` metadata.
   * </pre>
   */
  public static abstract class SessionServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * CreateSession starts a session for a user the application has authenticated.
     * </pre>
     */
    public void createSession(com.sessioncore.v1.CreateSessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.CreateSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateSessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * VerifySession checks an access token; with check_database it also checks the session is live.
     * </pre>
     */
    public void verifySession(com.sessioncore.v1.VerifySessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.VerifySessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getVerifySessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for its successor and a new access token.
     * </pre>
     */
    public void refreshSession(com.sessioncore.v1.RefreshSessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RefreshSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRefreshSessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeSessions ends the sessions with the given handles.
     * </pre>
     */
    public void revokeSessions(com.sessioncore.v1.RevokeSessionsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RevokeSessionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeSessionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeUserSessions ends every session of a user, optionally keeping one.
     * </pre>
     */
    public void revokeUserSessions(com.sessioncore.v1.RevokeUserSessionsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RevokeUserSessionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeUserSessionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListUserSessions pages through the live sessions of a user.
     * </pre>
     */
    public void listUserSessions(com.sessioncore.v1.ListUserSessionsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.ListUserSessionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListUserSessionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetSession reads one live session.
     * </pre>
     */
    public void getSession(com.sessioncore.v1.GetSessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.GetSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetSessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * UpdateSessionData replaces the server-side data document of a live session.
     * </pre>
     */
    public void updateSessionData(com.sessioncore.v1.UpdateSessionDataRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.UpdateSessionDataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateSessionDataMethod(), responseObserver);
    }

    /**
     * <pre>
     * UpdateAccessTokenClaims replaces the application claims of a live session's next access tokens.
     * </pre>
     */
    public void updateAccessTokenClaims(com.sessioncore.v1.UpdateAccessTokenClaimsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.UpdateAccessTokenClaimsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateAccessTokenClaimsMethod(), responseObserver);
    }

    /**
     * <pre>
     * RegenerateAccessToken issues a new access token for the same session and expiry.
     * </pre>
     */
    public void regenerateAccessToken(com.sessioncore.v1.RegenerateAccessTokenRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RegenerateAccessTokenResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRegenerateAccessTokenMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetJwks publishes the public keys that verify access tokens (RFC 7517).
     * </pre>
     */
    public void getJwks(com.sessioncore.v1.GetJwksRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.GetJwksResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetJwksMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListRevocations reads the revocation feed from a cursor.
     * </pre>
     */
    public void listRevocations(com.sessioncore.v1.ListRevocationsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.ListRevocationsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListRevocationsMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getCreateSessionMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.CreateSessionRequest,
                com.sessioncore.v1.CreateSessionResponse>(
                  this, METHODID_CREATE_SESSION)))
          .addMethod(
            getVerifySessionMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.VerifySessionRequest,
                com.sessioncore.v1.VerifySessionResponse>(
                  this, METHODID_VERIFY_SESSION)))
          .addMethod(
            getRefreshSessionMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.RefreshSessionRequest,
                com.sessioncore.v1.RefreshSessionResponse>(
                  this, METHODID_REFRESH_SESSION)))
          .addMethod(
            getRevokeSessionsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.RevokeSessionsRequest,
                com.sessioncore.v1.RevokeSessionsResponse>(
                  this, METHODID_REVOKE_SESSIONS)))
          .addMethod(
            getRevokeUserSessionsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.RevokeUserSessionsRequest,
                com.sessioncore.v1.RevokeUserSessionsResponse>(
                  this, METHODID_REVOKE_USER_SESSIONS)))
          .addMethod(
            getListUserSessionsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.ListUserSessionsRequest,
                com.sessioncore.v1.ListUserSessionsResponse>(
                  this, METHODID_LIST_USER_SESSIONS)))
          .addMethod(
            getGetSessionMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.GetSessionRequest,
                com.sessioncore.v1.GetSessionResponse>(
                  this, METHODID_GET_SESSION)))
          .addMethod(
            getUpdateSessionDataMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.UpdateSessionDataRequest,
                com.sessioncore.v1.UpdateSessionDataResponse>(
                  this, METHODID_UPDATE_SESSION_DATA)))
          .addMethod(
            getUpdateAccessTokenClaimsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.UpdateAccessTokenClaimsRequest,
                com.sessioncore.v1.UpdateAccessTokenClaimsResponse>(
                  this, METHODID_UPDATE_ACCESS_TOKEN_CLAIMS)))
          .addMethod(
            getRegenerateAccessTokenMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.RegenerateAccessTokenRequest,
                com.sessioncore.v1.RegenerateAccessTokenResponse>(
                  this, METHODID_REGENERATE_ACCESS_TOKEN)))
          .addMethod(
            getGetJwksMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.GetJwksRequest,
                com.sessioncore.v1.GetJwksResponse>(
                  this, METHODID_GET_JWKS)))
          .addMethod(
            getListRevocationsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.sessioncore.v1.ListRevocationsRequest,
                com.sessioncore.v1.ListRevocationsResponse>(
                  this, METHODID_LIST_REVOCATIONS)))
          .build();
    }
  }

  /**
   * <pre>
   * SessionService manages sessions. Every RPC requires the `x-api-key` metadata.
   * </pre>
   */
  public static final class SessionServiceStub extends io.grpc.stub.AbstractAsyncStub<SessionServiceStub> {
    private SessionServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SessionServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SessionServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateSession starts a session for a user the application has authenticated.
     * </pre>
     */
    public void createSession(com.sessioncore.v1.CreateSessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.CreateSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateSessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * VerifySession checks an access token; with check_database it also checks the session is live.
     * </pre>
     */
    public void verifySession(com.sessioncore.v1.VerifySessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.VerifySessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getVerifySessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for its successor and a new access token.
     * </pre>
     */
    public void refreshSession(com.sessioncore.v1.RefreshSessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RefreshSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRefreshSessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeSessions ends the sessions with the given handles.
     * </pre>
     */
    public void revokeSessions(com.sessioncore.v1.RevokeSessionsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RevokeSessionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeSessionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeUserSessions ends every session of a user, optionally keeping one.
     * </pre>
     */
    public void revokeUserSessions(com.sessioncore.v1.RevokeUserSessionsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RevokeUserSessionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeUserSessionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListUserSessions pages through the live sessions of a user.
     * </pre>
     */
    public void listUserSessions(com.sessioncore.v1.ListUserSessionsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.ListUserSessionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListUserSessionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetSession reads one live session.
     * </pre>
     */
    public void getSession(com.sessioncore.v1.GetSessionRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.GetSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetSessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * UpdateSessionData replaces the server-side data document of a live session.
     * </pre>
     */
    public void updateSessionData(com.sessioncore.v1.UpdateSessionDataRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.UpdateSessionDataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateSessionDataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * UpdateAccessTokenClaims replaces the application claims of a live session's next access tokens.
     * </pre>
     */
    public void updateAccessTokenClaims(com.sessioncore.v1.UpdateAccessTokenClaimsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.UpdateAccessTokenClaimsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateAccessTokenClaimsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RegenerateAccessToken issues a new access token for the same session and expiry.
     * </pre>
     */
    public void regenerateAccessToken(com.sessioncore.v1.RegenerateAccessTokenRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.RegenerateAccessTokenResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRegenerateAccessTokenMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetJwks publishes the public keys that verify access tokens (RFC 7517).
     * </pre>
     */
    public void getJwks(com.sessioncore.v1.GetJwksRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.GetJwksResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetJwksMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListRevocations reads the revocation feed from a cursor.
     * </pre>
     */
    public void listRevocations(com.sessioncore.v1.ListRevocationsRequest request,
        io.grpc.stub.StreamObserver<com.sessioncore.v1.ListRevocationsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListRevocationsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * SessionService manages sessions. Every RPC requires the `x-api-key` metadata.
   * </pre>
   */
  public static final class SessionServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<SessionServiceBlockingStub> {
    private SessionServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SessionServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SessionServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateSession starts a session for a user the application has authenticated.
     * </pre>
     */
    public com.sessioncore.v1.CreateSessionResponse createSession(com.sessioncore.v1.CreateSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * VerifySession checks an access token; with check_database it also checks the session is live.
     * </pre>
     */
    public com.sessioncore.v1.VerifySessionResponse verifySession(com.sessioncore.v1.VerifySessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getVerifySessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for its successor and a new access token.
     * </pre>
     */
    public com.sessioncore.v1.RefreshSessionResponse refreshSession(com.sessioncore.v1.RefreshSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRefreshSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeSessions ends the sessions with the given handles.
     * </pre>
     */
    public com.sessioncore.v1.RevokeSessionsResponse revokeSessions(com.sessioncore.v1.RevokeSessionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeUserSessions ends every session of a user, optionally keeping one.
     * </pre>
     */
    public com.sessioncore.v1.RevokeUserSessionsResponse revokeUserSessions(com.sessioncore.v1.RevokeUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeUserSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListUserSessions pages through the live sessions of a user.
     * </pre>
     */
    public com.sessioncore.v1.ListUserSessionsResponse listUserSessions(com.sessioncore.v1.ListUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListUserSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetSession reads one live session.
     * </pre>
     */
    public com.sessioncore.v1.GetSessionResponse getSession(com.sessioncore.v1.GetSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateSessionData replaces the server-side data document of a live session.
     * </pre>
     */
    public com.sessioncore.v1.UpdateSessionDataResponse updateSessionData(com.sessioncore.v1.UpdateSessionDataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateSessionDataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateAccessTokenClaims replaces the application claims of a live session's next access tokens.
     * </pre>
     */
    public com.sessioncore.v1.UpdateAccessTokenClaimsResponse updateAccessTokenClaims(com.sessioncore.v1.UpdateAccessTokenClaimsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateAccessTokenClaimsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RegenerateAccessToken issues a new access token for the same session and expiry.
     * </pre>
     */
    public com.sessioncore.v1.RegenerateAccessTokenResponse regenerateAccessToken(com.sessioncore.v1.RegenerateAccessTokenRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRegenerateAccessTokenMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetJwks publishes the public keys that verify access tokens (RFC 7517).
     * </pre>
     */
    public com.sessioncore.v1.GetJwksResponse getJwks(com.sessioncore.v1.GetJwksRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetJwksMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListRevocations reads the revocation feed from a cursor.
     * </pre>
     */
    public com.sessioncore.v1.ListRevocationsResponse listRevocations(com.sessioncore.v1.ListRevocationsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListRevocationsMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * SessionService manages sessions. Every RPC requires the `x-api-key` metadata.
   * </pre>
   */
  public static final class SessionServiceFutureStub extends io.grpc.stub.AbstractFutureStub<SessionServiceFutureStub> {
    private SessionServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected SessionServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new SessionServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * CreateSession starts a session for a user the application has authenticated.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.CreateSessionResponse> createSession(
        com.sessioncore.v1.CreateSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateSessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * VerifySession checks an access token; with check_database it also checks the session is live.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.VerifySessionResponse> verifySession(
        com.sessioncore.v1.VerifySessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getVerifySessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for its successor and a new access token.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.RefreshSessionResponse> refreshSession(
        com.sessioncore.v1.RefreshSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRefreshSessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeSessions ends the sessions with the given handles.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.RevokeSessionsResponse> revokeSessions(
        com.sessioncore.v1.RevokeSessionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeSessionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeUserSessions ends every session of a user, optionally keeping one.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.RevokeUserSessionsResponse> revokeUserSessions(
        com.sessioncore.v1.RevokeUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeUserSessionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListUserSessions pages through the live sessions of a user.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.ListUserSessionsResponse> listUserSessions(
        com.sessioncore.v1.ListUserSessionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListUserSessionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetSession reads one live session.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.GetSessionResponse> getSession(
        com.sessioncore.v1.GetSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetSessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * UpdateSessionData replaces the server-side data document of a live session.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.UpdateSessionDataResponse> updateSessionData(
        com.sessioncore.v1.UpdateSessionDataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateSessionDataMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * UpdateAccessTokenClaims replaces the application claims of a live session's next access tokens.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.UpdateAccessTokenClaimsResponse> updateAccessTokenClaims(
        com.sessioncore.v1.UpdateAccessTokenClaimsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateAccessTokenClaimsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RegenerateAccessToken issues a new access token for the same session and expiry.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.RegenerateAccessTokenResponse> regenerateAccessToken(
        com.sessioncore.v1.RegenerateAccessTokenRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRegenerateAccessTokenMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetJwks publishes the public keys that verify access tokens (RFC 7517).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.GetJwksResponse> getJwks(
        com.sessioncore.v1.GetJwksRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetJwksMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListRevocations reads the revocation feed from a cursor.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.sessioncore.v1.ListRevocationsResponse> listRevocations(
        com.sessioncore.v1.ListRevocationsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListRevocationsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_CREATE_SESSION = 0;
  private static final int METHODID_VERIFY_SESSION = 1;
  private static final int METHODID_REFRESH_SESSION = 2;
  private static final int METHODID_REVOKE_SESSIONS = 3;
  private static final int METHODID_REVOKE_USER_SESSIONS = 4;
  private static final int METHODID_LIST_USER_SESSIONS = 5;
  private static final int METHODID_GET_SESSION = 6;
  private static final int METHODID_UPDATE_SESSION_DATA = 7;
  private static final int METHODID_UPDATE_ACCESS_TOKEN_CLAIMS = 8;
  private static final int METHODID_REGENERATE_ACCESS_TOKEN = 9;
  private static final int METHODID_GET_JWKS = 10;
  private static final int METHODID_LIST_REVOCATIONS = 11;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final SessionServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(SessionServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_CREATE_SESSION:
          serviceImpl.createSession((com.sessioncore.v1.CreateSessionRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.CreateSessionResponse>) responseObserver);
          break;
        case METHODID_VERIFY_SESSION:
          serviceImpl.verifySession((com.sessioncore.v1.VerifySessionRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.VerifySessionResponse>) responseObserver);
          break;
        case METHODID_REFRESH_SESSION:
          serviceImpl.refreshSession((com.sessioncore.v1.RefreshSessionRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.RefreshSessionResponse>) responseObserver);
          break;
        case METHODID_REVOKE_SESSIONS:
          serviceImpl.revokeSessions((com.sessioncore.v1.RevokeSessionsRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.RevokeSessionsResponse>) responseObserver);
          break;
        case METHODID_REVOKE_USER_SESSIONS:
          serviceImpl.revokeUserSessions((com.sessioncore.v1.RevokeUserSessionsRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.RevokeUserSessionsResponse>) responseObserver);
          break;
        case METHODID_LIST_USER_SESSIONS:
          serviceImpl.listUserSessions((com.sessioncore.v1.ListUserSessionsRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.ListUserSessionsResponse>) responseObserver);
          break;
        case METHODID_GET_SESSION:
          serviceImpl.getSession((com.sessioncore.v1.GetSessionRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.GetSessionResponse>) responseObserver);
          break;
        case METHODID_UPDATE_SESSION_DATA:
          serviceImpl.updateSessionData((com.sessioncore.v1.UpdateSessionDataRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.UpdateSessionDataResponse>) responseObserver);
          break;
        case METHODID_UPDATE_ACCESS_TOKEN_CLAIMS:
          serviceImpl.updateAccessTokenClaims((com.sessioncore.v1.UpdateAccessTokenClaimsRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.UpdateAccessTokenClaimsResponse>) responseObserver);
          break;
        case METHODID_REGENERATE_ACCESS_TOKEN:
          serviceImpl.regenerateAccessToken((com.sessioncore.v1.RegenerateAccessTokenRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.RegenerateAccessTokenResponse>) responseObserver);
          break;
        case METHODID_GET_JWKS:
          serviceImpl.getJwks((com.sessioncore.v1.GetJwksRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.GetJwksResponse>) responseObserver);
          break;
        case METHODID_LIST_REVOCATIONS:
          serviceImpl.listRevocations((com.sessioncore.v1.ListRevocationsRequest) request,
              (io.grpc.stub.StreamObserver<com.sessioncore.v1.ListRevocationsResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class SessionServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    SessionServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.sessioncore.v1.SessionServiceProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("SessionService");
    }
  }

  private static final class SessionServiceFileDescriptorSupplier
      extends SessionServiceBaseDescriptorSupplier {
    SessionServiceFileDescriptorSupplier() {}
  }

  private static final class SessionServiceMethodDescriptorSupplier
      extends SessionServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    SessionServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (SessionServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new SessionServiceFileDescriptorSupplier())
              .addMethod(getCreateSessionMethod())
              .addMethod(getVerifySessionMethod())
              .addMethod(getRefreshSessionMethod())
              .addMethod(getRevokeSessionsMethod())
              .addMethod(getRevokeUserSessionsMethod())
              .addMethod(getListUserSessionsMethod())
              .addMethod(getGetSessionMethod())
              .addMethod(getUpdateSessionDataMethod())
              .addMethod(getUpdateAccessTokenClaimsMethod())
              .addMethod(getRegenerateAccessTokenMethod())
              .addMethod(getGetJwksMethod())
              .addMethod(getListRevocationsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
