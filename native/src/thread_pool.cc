// See thread_pool.h. Workers sleep on a condition variable between jobs (no spinning, so
// they never steal cycles from the BLAS's threads); a job is split into one contiguous
// range per thread and the calling thread runs the first range itself.
#include "thread_pool.h"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace confidant {
namespace {

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }

  int threads() const { return threads_; }

  void set_threads(int threads) {
    threads_ = std::max(1, std::min(threads, 256));
  }

  void run(int64_t n, int parts, const std::function<void(int64_t, int64_t)>& body) {
    // One job at a time: a second JavaScript thread (a worker_thread) calling meanwhile
    // runs its loop on its own thread instead of waiting.
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    if (!busy.owns_lock()) {
      body(0, n);
      return;
    }
    ensure_workers(parts - 1);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      body_ = &body;
      n_ = n;
      parts_ = parts;
      next_part_ = 1;  // part 0 is the caller's
      pending_ = parts - 1;
      ++generation_;
    }
    wake_.notify_all();
    body(0, n / parts);
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    body_ = nullptr;
  }

 private:
  void ensure_workers(int count) {
    while (static_cast<int>(workers_.size()) < count) {
      workers_.emplace_back([this] { loop(); });
    }
  }

  void loop() {
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stop_ || (generation_ != seen && next_part_ < parts_); });
      if (stop_) return;
      const int part = next_part_++;
      if (next_part_ >= parts_) seen = generation_;
      const auto* body = body_;
      const int64_t n = n_;
      const int parts = parts_;
      lock.unlock();
      (*body)(n * part / parts, n * (part + 1) / parts);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex busy_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t, int64_t)>* body_ = nullptr;
  int64_t n_ = 0;
  int parts_ = 0, next_part_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  int threads_ = std::max(1u, std::thread::hardware_concurrency());
};

Pool& ThePool() {
  static Pool* pool = new Pool();  // never destroyed: workers may outlive static teardown
  return *pool;
}

}  // namespace

int PoolThreads() { return ThePool().threads(); }

void SetPoolThreads(int threads) { ThePool().set_threads(threads); }

void ParallelFor(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& body) {
  if (n <= 0) return;
  const int64_t by_size = grain > 0 ? n / grain : n;
  const int parts = static_cast<int>(std::min<int64_t>(PoolThreads(), std::max<int64_t>(1, by_size)));
  if (parts <= 1) {
    body(0, n);
    return;
  }
  ThePool().run(n, parts, body);
}

}  // namespace confidant
