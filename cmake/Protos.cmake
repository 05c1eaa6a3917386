# Generates C++ for the API, the googleapis subset under third_party/ and Debian's health.proto.
include(GNUInstallDirs)
set(CV_HEALTH_PROTO_DIR /usr/share/grpc-proto CACHE PATH "Where Debian's grpc-proto keeps grpc/health/v1/health.proto")
# PROJECT_*_DIR, not CMAKE_*_DIR: under another project's add_subdirectory() those are the
# other project's.
set(CV_PROTO_OUT ${PROJECT_BINARY_DIR}/gen)
file(MAKE_DIRECTORY ${CV_PROTO_OUT})

get_target_property(CV_GRPC_PLUGIN gRPC::grpc_cpp_plugin LOCATION)

# cv_add_protos(ROOT dir FILES a.proto ... [GRPC]): sources appended to CV_PROTO_SRCS.
function(cv_add_protos)
  cmake_parse_arguments(P "GRPC" "ROOT" "FILES" ${ARGN})
  foreach(rel IN LISTS P_FILES)
    string(REGEX REPLACE "\\.proto$" "" base ${rel})
    set(outs ${CV_PROTO_OUT}/${base}.pb.cc ${CV_PROTO_OUT}/${base}.pb.h)
    set(plugin_args)
    if(P_GRPC)
      list(APPEND outs ${CV_PROTO_OUT}/${base}.grpc.pb.cc ${CV_PROTO_OUT}/${base}.grpc.pb.h)
      set(plugin_args --grpc_out=${CV_PROTO_OUT} --plugin=protoc-gen-grpc=${CV_GRPC_PLUGIN})
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND protobuf::protoc
        -I${PROJECT_SOURCE_DIR}/proto -I${PROJECT_SOURCE_DIR}/third_party/googleapis
        -I${CV_HEALTH_PROTO_DIR} -I/usr/include
        --cpp_out=${CV_PROTO_OUT} ${plugin_args} ${P_ROOT}/${rel}
      DEPENDS ${P_ROOT}/${rel} protobuf::protoc
      VERBATIM)
    list(APPEND srcs ${CV_PROTO_OUT}/${base}.pb.cc)
    if(P_GRPC)
      list(APPEND srcs ${CV_PROTO_OUT}/${base}.grpc.pb.cc)
    endif()
  endforeach()
  set(CV_PROTO_SRCS ${CV_PROTO_SRCS} ${srcs} PARENT_SCOPE)
endfunction()

set(CV_PROTO_SRCS)
cv_add_protos(ROOT ${PROJECT_SOURCE_DIR}/third_party/googleapis
  FILES google/api/field_behavior.proto google/rpc/status.proto google/rpc/error_details.proto)
cv_add_protos(ROOT ${PROJECT_SOURCE_DIR}/proto GRPC FILES channelverify/v1/channel_verifier.proto)
cv_add_protos(ROOT ${CV_HEALTH_PROTO_DIR} GRPC FILES grpc/health/v1/health.proto)

add_library(cv_proto STATIC ${CV_PROTO_SRCS})
# The install path is where client/ installs the generated headers for find_package users.
target_include_directories(cv_proto PUBLIC
  $<BUILD_INTERFACE:${CV_PROTO_OUT}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/channelverify/proto>)
target_link_libraries(cv_proto PUBLIC protobuf::libprotobuf gRPC::grpc++)
# Generated code is not ours to warn about.
target_compile_options(cv_proto PRIVATE -w)
