# cmake -DMODE=find_package|add_subdirectory -DBUILD_DIR=... -DCV_SOURCE_DIR=... -DWORK_DIR=...
#   [-DCXX_FLAGS=... -DLINKER_FLAGS=...] -P check.cmake
# Builds and runs a consumer that knows the client library only the way another service would:
# find_package(channelverify) after an install into a private prefix, or add_subdirectory() of
# the checkout. A broken export or a build that only works at the top level fails here, not
# downstream.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(here ${CMAKE_CURRENT_LIST_DIR})
set(flags "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
if(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} -S ${here}/consumer -B ${WORK_DIR}/build -G Ninja
      -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix ${flags})
elseif(MODE STREQUAL "add_subdirectory")
  run(${CMAKE_COMMAND} -S ${here}/subdirectory -B ${WORK_DIR}/build -G Ninja
      -DCHANNEL_VERIFIER_SOURCE_DIR=${CV_SOURCE_DIR} ${flags})
else()
  message(FATAL_ERROR "MODE must be find_package or add_subdirectory")
endif()
# Only the consumer and what it links: with add_subdirectory that is the client library and the
# generated API, not the server.
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build --target consumer -j2)
run(${WORK_DIR}/build/consumer)
message(STATUS "${MODE}: the consumer built and ran")
